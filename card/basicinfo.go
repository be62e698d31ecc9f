package card

import (
	"fmt"
	"unicode/utf8"
)

// Tags of the basic-4 information, EF 0002 of the basic-info application
// (DESIGN.md §4).
const (
	tagBasic4    uint32 = 0xFF20 // the template holding the five objects below
	tagBasicHdr  uint32 = 0xDF21 // header
	tagBasicName uint32 = 0xDF22 // name
	tagBasicAddr uint32 = 0xDF23 // address
	tagBasicDOB  uint32 = 0xDF24 // birth date YYYYMMDD
	tagBasicSex  uint32 = 0xDF25 // sex
)

// BasicInfo is the basic-4 information (基本4情報) of the basic-info
// application. It is personal data: keep it for the session only.
type BasicInfo struct {
	Name      string
	Address   string
	BirthDate string // YYYYMMDD (Gregorian)
	Sex       string // as on the card: "1" male, "2" female, "3" other
}

// ParseBasicInfo parses EF 0002 of the basic-info application: tag FF20
// holding DF21 (header) and DF22..DF25. Bytes after the template (file
// padding) are ignored.
func ParseBasicInfo(b []byte) (*BasicInfo, error) {
	tag, value, _, err := readTLV(b)
	if err != nil {
		return nil, fmt.Errorf("basic info: %w", err)
	}
	if tag != tagBasic4 {
		return nil, fmt.Errorf("basic info tag %x: %w", tag, ErrMalformed)
	}
	var info BasicInfo
	seen := map[uint32]bool{}
	for len(value) > 0 {
		var v []byte
		tag, v, value, err = readTLV(value)
		if err != nil {
			return nil, fmt.Errorf("basic info: %w", err)
		}
		if seen[tag] {
			return nil, fmt.Errorf("basic info: tag %x twice: %w", tag, ErrMalformed)
		}
		seen[tag] = true
		if tag != tagBasicHdr && !utf8.Valid(v) {
			return nil, fmt.Errorf("basic info tag %x not utf-8: %w", tag, ErrMalformed)
		}
		switch tag {
		case tagBasicName:
			info.Name = string(v)
		case tagBasicAddr:
			info.Address = string(v)
		case tagBasicDOB:
			info.BirthDate = string(v)
		case tagBasicSex:
			info.Sex = string(v)
		}
	}
	for _, t := range []uint32{tagBasicName, tagBasicAddr, tagBasicDOB, tagBasicSex} {
		if !seen[t] {
			return nil, fmt.Errorf("basic info: no tag %x: %w", t, ErrMalformed)
		}
	}
	if !isDate(info.BirthDate) {
		return nil, fmt.Errorf("basic info birth date: %w", ErrMalformed)
	}
	return &info, nil
}

// isDate tells whether s is eight digits YYYYMMDD with a plausible month
// and day (cards may carry dates a calendar would reject, so no more).
func isDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	month := (s[4]-'0')*10 + s[5] - '0'
	day := (s[6]-'0')*10 + s[7] - '0'
	return month <= 12 && day <= 31
}

// ReadBasicInfo verifies the basic-info PIN (4 digits, 3 tries) and reads
// name, address, birth date and sex from EF 0002 of the basic-info
// application. The last-try guard applies. It never touches EF 0001 (the
// individual number).
func (c *Card) ReadBasicInfo(pin []byte, opts ...Option) (*BasicInfo, error) {
	o := collect(opts)
	var info *BasicInfo
	err := c.do(func() error {
		if err := c.verify(PINBasicInfo, pin, o); err != nil {
			return err
		}
		if err := c.selectEF(efBasic4); err != nil {
			return fmt.Errorf("selecting basic info: %w", err)
		}
		first, err := c.readBinary(0, readChunk)
		defer clear(first)
		if err != nil {
			return fmt.Errorf("reading basic info: %w", err)
		}
		_, hdr, n, err := tlvHeader(first)
		if err != nil {
			return fmt.Errorf("basic info: %w", err)
		}
		total := hdr + n
		if total > maxEF {
			return fmt.Errorf("basic info of %d bytes: %w", total, ErrMalformed)
		}
		raw := make([]byte, max(total, len(first)))
		defer clear(raw)
		copy(raw, first)
		if total > len(first) {
			if err := c.readFull(raw[len(first):], len(first)); err != nil {
				return fmt.Errorf("reading basic info: %w", err)
			}
		}
		info, err = ParseBasicInfo(raw)
		return err
	})
	return info, err
}
