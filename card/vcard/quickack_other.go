//go:build !linux

package vcard

import "net"

// quickAck does nothing outside Linux (TCP_QUICKACK is Linux-only).
func quickAck(net.Conn) {}
