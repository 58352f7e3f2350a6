// Package core holds what every emulated platform shares, whatever its wire protocol: the
// platform-neutral call model (Call, Handler, Middleware), API errors, access keys, per-action
// call statistics and the persisted state file. Protocol packages (pop for Alibaba POP RPC, later
// a REST-JSON one for Amazon Connect) decode requests into Calls and encode results; platform
// packages (ccc, ...) implement the actions. Neither kind imports the other's internals.
package core
