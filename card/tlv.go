package card

import "fmt"

// BER-TLV as used by ISO 7816-4 §5.2.2: tags of one to three bytes, lengths
// in the short form or the long forms 81 xx and 82 xx xx.
const (
	tagMoreBytes = 0x1F // low five bits of a first tag byte: more tag bytes follow
	tagContinue  = 0x80 // in later tag bytes: another byte follows
	maxTagBytes  = 3
)

// tlvHeader parses the tag and length at the start of b: it returns the
// tag, the size of the header and the length of the value, which need not
// be present in b.
func tlvHeader(b []byte) (tag uint32, hdr, n int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, fmt.Errorf("empty tlv: %w", ErrMalformed)
	}
	i := 1
	tag = uint32(b[0])
	if b[0]&tagMoreBytes == tagMoreBytes {
		for {
			if i >= len(b) || i >= maxTagBytes {
				return 0, 0, 0, fmt.Errorf("tlv tag: %w", ErrMalformed)
			}
			tag = tag<<8 | uint32(b[i])
			i++
			if b[i-1]&tagContinue == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return 0, 0, 0, fmt.Errorf("tlv %x without length: %w", tag, ErrMalformed)
	}
	n = int(b[i])
	i++
	switch {
	case n < 0x80:
	case n == derLen1 && i+1 <= len(b):
		n = int(b[i])
		i++
	case n == derLen2 && i+2 <= len(b):
		n = int(b[i])<<8 | int(b[i+1])
		i += 2
	default:
		return 0, 0, 0, fmt.Errorf("tlv %x length: %w", tag, ErrMalformed)
	}
	return tag, i, n, nil
}

// readTLV splits off the first data object of b.
func readTLV(b []byte) (tag uint32, value, rest []byte, err error) {
	tag, hdr, n, err := tlvHeader(b)
	if err != nil {
		return 0, nil, nil, err
	}
	if n > len(b)-hdr {
		return 0, nil, nil, fmt.Errorf("tlv %x of %d bytes, %d left: %w", tag, n, len(b)-hdr, ErrMalformed)
	}
	return tag, b[hdr : hdr+n], b[hdr+n:], nil
}
