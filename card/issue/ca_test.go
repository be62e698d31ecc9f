package issue

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

func TestOpenCAFirstRunAndReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kiosk", "data")
	ca, err := OpenCA(dir) // generates both RSA-2048 CA keys: the one slow test
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data directory mode %v, %v", st.Mode().Perm(), err)
	}
	for _, name := range []string{FileAuthCAKey, FileAuthCACert, FileSignCAKey, FileSignCACert, FileIssuerKey, FileIssuerPub} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v", name, st.Mode().Perm(), err)
		}
	}
	for c, ou := range map[Cert]string{Auth: "JPKI for user authentication", Sign: "JPKI for digital signature"} {
		s := ca.Certificate(c).Subject
		if !slices.Equal(s.Country, []string{"JP"}) || !slices.Equal(s.Organization, []string{"JPKI"}) ||
			!slices.Contains(s.OrganizationalUnit, ou) || !slices.Contains(s.OrganizationalUnit, "Japan Agency for Local Authority Information Systems") ||
			!ca.Certificate(c).IsCA {
			t.Errorf("%s CA subject %v", c, s)
		}
	}

	// What a virtual card loads (kioskctl vcard serve --data DIR).
	pub, err := os.ReadFile(filepath.Join(dir, FileIssuerPub))
	if err != nil {
		t.Fatal(err)
	}
	k, err := vcard.ParseIssuerKey(pub)
	if err != nil || !k.Equal(ca.IssuerPublicKey()) {
		t.Fatalf("issuer-auth.pub: %v", err)
	}

	// Serial numbers: persisted, never reused across reopening.
	a, err := ca.nextSerial()
	if err != nil {
		t.Fatal(err)
	}
	again, err := OpenCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := again.nextSerial()
	if err != nil || b.Int64() != a.Int64()+1 {
		t.Fatalf("serials %v then %v (%v)", a, b, err)
	}
	if st, _ := os.Stat(filepath.Join(dir, FileSerial)); st.Mode().Perm() != 0o600 {
		t.Errorf("serial mode %v", st.Mode().Perm())
	}
	if !again.Certificate(Auth).Equal(ca.Certificate(Auth)) || !again.IssuerPublicKey().Equal(ca.IssuerPublicKey()) {
		t.Error("reopening made new keys")
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}

	// Damage is reported, not papered over.
	os.WriteFile(filepath.Join(dir, FileSerial), []byte("zero\n"), 0o600)
	if _, err := again.nextSerial(); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged serial counter: %v", err)
	}
	os.Remove(filepath.Join(dir, FileSignCAKey))
	if _, err := OpenCA(dir); err == nil || !strings.Contains(err.Error(), "without its key") {
		t.Errorf("certificate without key: %v", err)
	}
}

func TestEraDate(t *testing.T) {
	for in, want := range map[string]string{
		"19000101": "119000101", "19120729": "119120729", "19120730": "219120730", "19261224": "219261224",
		"19261225": "319261225", "19890107": "319890107", "19890108": "419890108", "20190430": "420190430",
		"20190501": "520190501", "20240229": "520240229",
	} {
		if got, err := eraDate(in); err != nil || got != want {
			t.Errorf("eraDate(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := eraDate("1990-01-01"); err == nil {
		t.Error("bad date accepted")
	}
}

func TestGuardTable(t *testing.T) {
	g := newGuard([]Cert{Auth})
	steps := []struct {
		apdu []byte
		ok   bool
	}{
		{selectJPKI(), true},
		{getChallenge(), true},
		{externalAuth([]byte{1, 2, 3}), true},
		{generateKey(card.EFAuthKey), true},
		{generateKey(card.EFSignKey), false},  // not requested
		{updateBinary(0, []byte{1}), false},   // no EF selected
		{selectEF(card.EFSignCert), false},    // not requested
		{selectEF(card.EFAuthCA), true},       // CA EF of a requested certificate
		{updateBinary(0, []byte{1}), true},    // into it
		{selectEF(card.EFAuthCert), true},     //
		{updateBinary(4095, []byte{1}), true}, // last byte
		{updateBinary(4095, []byte{1, 2}), false},
		{updateBinary(0x8000, []byte{1}), false}, // short EF form
		{selectEF(card.EFAuthPIN), false},
		{selectEF(card.EFToken), false},
		{readBinary(0, 4), false},
		{resetRetry([]byte("1234")), false},
		{[]byte{0x00, 0x20, 0x00, 0x80}, false},                         // VERIFY without data
		{[]byte{0x00, 0xC0, 0x00, 0x00, 0x10}, false},                   // GET RESPONSE
		{[]byte{0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00}, false},       // SELECT MF
		{[]byte{0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01}, false}, // extended length
		{[]byte{0x00, 0xA4}, false},
		{[]byte{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08}, false}, // basic-info AP
		{selectEF(0x0001), false}, // outside JPKI now
		{getChallenge(), false},   // outside JPKI now
		{selectJPKI(), true},      // back
		{selectEF(card.EFAuthCert), true},
		// The forms a real card also accepts, which a guard watching only
		// 00 A4 02 0C would miss (DESIGN.md section 4, short file ids).
		{[]byte{0x00, 0xB0, 0x81, 0x00, 0x00}, false},                               // READ BINARY by short file id
		{[]byte{0x00, 0xD6, 0x8A, 0x00, 0x01, 0x30}, false},                         // UPDATE BINARY by short file id
		{[]byte{0x00, 0x20, 0x00, 0x98, 0x04, 0x31, 0x32, 0x33, 0x34}, false},       // VERIFY by short file id
		{[]byte{0x00, 0xA4, 0x00, 0x0C, 0x02, 0x00, 0x0A}, false},                   // SELECT with P1 00
		{[]byte{0x00, 0xA4, 0x04, 0x0C, 0x05, 0xD3, 0x92, 0x10, 0x00, 0x31}, false}, // SELECT by an AID prefix
		{[]byte{0x00, 0xA4, 0x04, 0x0C, 0x05, 0xD3, 0x92, 0xF0, 0x00, 0x26}, false}, // even of JPKI's
		{[]byte{0x01, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A}, false},                   // logical channel 1
		{[]byte{0x03, 0x84, 0x00, 0x00, 0x08}, false},                               // logical channel 3
		{selectEF(card.EFAuthCert), false},                                          // after a refused AID SELECT the application is unknown
		{selectJPKI(), true},
		{selectEF(card.EFAuthCert), true},
	}
	for i, s := range steps {
		_, err := g.check(s.apdu)
		if (err == nil) != s.ok {
			t.Errorf("step %d % X: err = %v, want allowed=%v", i, s.apdu, err, s.ok)
		}
	}
}

func TestTrainingCACerts(t *testing.T) {
	dir := t.TempDir()
	if got := TrainingCACerts(dir); len(got) != 0 {
		t.Fatalf("empty dir: %d certificates", len(got))
	}
	ca, err := OpenCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := TrainingCACerts(dir)
	if len(got) != 2 || !got[0].Equal(ca.Certificate(Auth)) || !got[1].Equal(ca.Certificate(Sign)) {
		t.Fatalf("TrainingCACerts = %d certificates", len(got))
	}
}
