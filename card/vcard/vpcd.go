package vcard

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// DefaultVPCDAddr is where pcscd's vpcd driver listens by default
// (/etc/reader.conf.d/vpcd: port 0x8C7B).
const DefaultVPCDAddr = "127.0.0.1:35963"

// vpcd control codes: a one-byte message from the driver (vsmartcard's
// vpcd.h). Anything longer is a C-APDU.
const (
	vpcdPowerOff = 0x00
	vpcdPowerOn  = 0x01
	vpcdReset    = 0x02
	vpcdGetATR   = 0x04
)

// errCardGone ends a vpcd connection because the card left the reader.
var errCardGone = errors.New("card removed")

// VPCDServer serves one Card to pcscd's vpcd driver. The driver listens;
// the server connects to it, so a connected server is a card in the
// "Virtual PCD" reader. Removing the card closes the connection (the reader
// sees the card go); inserting it connects again. When pcscd stops, the
// server keeps trying to reconnect.
type VPCDServer struct {
	Addr  string                        // host:port of the vpcd driver; DefaultVPCDAddr if empty
	Card  *Card                         // the card to serve
	Logf  func(format string, a ...any) // connection events (never APDUs); nil: silent
	Retry time.Duration                 // pause between connection attempts; 200 ms if zero
	Poll  time.Duration                 // how often removal is checked; 50 ms if zero
}

func (s *VPCDServer) logf(format string, a ...any) {
	if s.Logf != nil {
		s.Logf(format, a...)
	}
}

// Serve connects and answers the driver until ctx is done; it returns nil
// then. Connection failures are retried, never returned.
func (s *VPCDServer) Serve(ctx context.Context) error {
	if s.Card == nil {
		return errors.New("vpcd: no card to serve")
	}
	addr := s.Addr
	if addr == "" {
		addr = DefaultVPCDAddr
	}
	retry, poll := s.Retry, s.Poll
	if retry <= 0 {
		retry = 200 * time.Millisecond
	}
	if poll <= 0 {
		poll = 50 * time.Millisecond
	}
	var dialer net.Dialer
	failing := false
	for {
		if ctx.Err() != nil {
			return nil
		}
		gen, present := s.Card.insertCount()
		if !present {
			if !sleep(ctx, poll) {
				return nil
			}
			continue
		}
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			if !failing {
				s.logf("vpcd %s not reachable (%v); retrying", addr, err)
				failing = true
			}
			if !sleep(ctx, retry) {
				return nil
			}
			continue
		}
		failing = false
		s.logf("card inserted into vpcd reader at %s", addr)
		err = s.session(ctx, conn, gen, poll)
		conn.Close()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errCardGone):
			s.logf("card removed from vpcd reader")
		default:
			s.logf("vpcd connection lost (%v); reconnecting", err)
			if !sleep(ctx, retry) {
				return nil
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// session answers one connection until it breaks, the card is removed (or
// removed and inserted again, gen changing), or ctx is done.
func (s *VPCDServer) session(ctx context.Context, conn net.Conn, gen int, poll time.Duration) error {
	type frame struct {
		msg []byte
		err error
	}
	frames := make(chan frame)
	done := make(chan struct{})
	defer close(done)
	go func() {
		r := quickAckReader{conn}
		for {
			msg, err := readFrame(r)
			select {
			case frames <- frame{msg, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if g, present := s.Card.insertCount(); !present || g != gen {
				return errCardGone
			}
		case f := <-frames:
			if f.err != nil {
				return f.err
			}
			reply, ok, err := handleMessage(s.Card, f.msg)
			if err != nil {
				return err
			}
			if ok {
				if err := writeFrame(conn, reply); err != nil {
					return err
				}
			}
		}
	}
}

// handleMessage answers one vpcd message: control codes act on the card (only
// "get ATR" is answered), anything longer is an APDU for the card. An error
// means the connection must end (the card is gone or the transmission failed).
func handleMessage(c *Card, msg []byte) (reply []byte, answer bool, err error) {
	if len(msg) == 1 {
		switch msg[0] {
		case vpcdPowerOff, vpcdPowerOn, vpcdReset:
			c.Reset()
			return nil, false, nil
		case vpcdGetATR:
			return c.ATR(), true, nil
		}
		return nil, false, nil // unknown control code: ignored, as vpicc does
	}
	r, err := c.Transmit(msg)
	switch {
	case errors.Is(err, ErrNoCard):
		return nil, false, errCardGone
	case err != nil:
		return nil, false, err
	}
	return r, true, nil
}

// quickAckReader re-arms TCP_QUICKACK before every read of the vpcd
// connection (quickAck), so that the driver's split writes of a frame are
// not held up by a delayed ACK.
type quickAckReader struct{ c net.Conn }

func (r quickAckReader) Read(p []byte) (int, error) {
	quickAck(r.c)
	n, err := r.c.Read(p)
	quickAck(r.c)
	return n, err
}

// maxFrame bounds a vpcd message: an extended APDU at most.
const maxFrame = 0xFFFF

// readFrame reads one message: a 2-byte big-endian length, then the payload.
func readFrame(r io.Reader) ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint16(hdr[:])
	if n == 0 {
		return nil, fmt.Errorf("vpcd: empty message")
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// writeFrame writes one message with its 2-byte length.
func writeFrame(w io.Writer, msg []byte) error {
	if len(msg) > maxFrame {
		return fmt.Errorf("vpcd: message of %d bytes too long", len(msg))
	}
	buf := make([]byte, 2+len(msg))
	binary.BigEndian.PutUint16(buf, uint16(len(msg)))
	copy(buf[2:], msg)
	_, err := w.Write(buf)
	return err
}
