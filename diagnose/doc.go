// Package diagnose turns concluded FTP sessions into findings: the one line
// that names what broke a transfer, the evidence it stands on, and the
// setting to change. The rules are those of ../shared/spec/findings.md.
//
// Rules read only the report model, so they are pure functions of what the
// capture showed and are tested on hand-built sessions as well as on real
// captures. Each explanation is built from the evidence at hand (the
// addresses, the server's own reply text, the side of the NAT the capture
// was taken on), never a generic text.
//
// # Vantage
//
// What a capture shows depends on where it was taken. A client behind a NAT
// sees its own private address in its PORT command and in its control
// connection alike; only the server's "500 Illegal PORT command." reveals
// the translation. The same PORT seen beyond the gateway carries an address
// that differs from the control connection's. The rules reason from either.
package diagnose
