// Package ladder draws call-flow ladders as sngrep does: one session, or
// both legs of a NAT pair across the gateway (Spec, ladder.go and
// ladderdraw.go), and several sessions at once with a column per host
// (Flow, flow.go). A ladder is a list of styled.Items for a pane, plain
// text (y, save) or CSV; rows are drawn only when they come on screen, so
// dialogs of 10,000 lines stay cheap.
package ladder
