//go:build linux

package vcard

import (
	"net"
	"syscall"
)

// quickAck asks Linux to acknowledge the next segments at once
// (TCP_QUICKACK) instead of delaying the ACK by up to 40 ms. pcscd's vpcd
// driver writes a frame's 2-byte length and its payload with two send
// calls; with Nagle's algorithm on its side, the payload waits until the
// length is acknowledged, so a delayed ACK here costs every APDU tens of
// milliseconds. The flag is not sticky (the kernel clears it), so it is set
// again before every read. Errors are ignored: it is only an optimisation.
func quickAck(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
