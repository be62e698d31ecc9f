// Package pgtest starts a private PostgreSQL cluster for tests: initdb into a
// temporary directory, run as an unprivileged user (postgres, via setpriv,
// when the test runs as root), listening on 127.0.0.1 only on a free port,
// TLS only with a CA made here, stopped by PID. Tests skip when PostgreSQL is
// not installed, unless KIOSK_REQUIRE_INTEGRATION=1.
package pgtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// AdminPassword is the password of the cluster's superuser "admin".
const AdminPassword = "test-admin-pw"

// Cluster is a running private PostgreSQL.
type Cluster struct {
	Dir    string // temporary directory (data, certificates)
	Port   int
	CAFile string // the CA that signed the server certificate
	bin    string
	cmd    *exec.Cmd
	asUser *user.User // nil: run as the current user
}

// ErrNotInstalled means no PostgreSQL binaries were found.
var ErrNotInstalled = errors.New("pgtest: PostgreSQL is not installed (apt-get install postgresql)")

// BinDir finds the newest /usr/lib/postgresql/*/bin with initdb.
func BinDir() (string, error) {
	if d := os.Getenv("KIOSK_PG_BIN"); d != "" {
		return d, nil
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(m, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(m[i]))))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(m[j]))))
		return a > b
	})
	if len(m) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", ErrNotInstalled
	}
	return filepath.Dir(m[0]), nil
}

// Start makes and starts a cluster.
func Start() (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgtest: running as root needs the user postgres: %w", err)
		}
		c.asUser = u
	}
	dir, err := os.MkdirTemp("", "kiosk-pg-")
	if err != nil {
		return nil, err
	}
	c.Dir = dir
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(AdminPassword+"\n"), 0o644); err != nil {
		return nil, err
	}
	if err := c.chown(dir); err != nil {
		return nil, err
	}
	out, err := c.command(filepath.Join(bin, "initdb"), "-D", data, "-U", "admin", "--pwfile", pw,
		"--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	if err := c.makeCerts(data); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c.Port = port
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
fsync = off
full_page_writes = off
max_connections = 40
shared_buffers = 64MB
`, port, dir)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	f.WriteString(conf)
	f.Close()
	hba := "hostssl all all 127.0.0.1/32 scram-sha-256\n"
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		return nil, err
	}
	if err := c.chown(dir); err != nil {
		return nil, err
	}
	return c, c.Start()
}

// Start starts (or restarts) the server and waits until it accepts connections.
func (c *Cluster) Start() error {
	cmd := c.command(filepath.Join(c.bin, "postgres"), "-D", filepath.Join(c.Dir, "data"))
	log, err := os.OpenFile(filepath.Join(c.Dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return err
	}
	log.Close()
	c.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.URL("admin", AdminPassword, "postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(c.Dir, "server.log"))
			c.Stop()
			return fmt.Errorf("pgtest: server did not start: %v\n%s", err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops the server by its PID (fast shutdown) and waits for it.
func (c *Cluster) Stop() {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
	c.cmd = nil
}

// Close stops the server and removes the directory.
func (c *Cluster) Close() {
	c.Stop()
	if c.Dir != "" {
		os.RemoveAll(c.Dir)
	}
}

// URL is a libpq-style URL to database db as user, TLS verified against the CA.
func (c *Cluster) URL(user, password, db string) string {
	return c.URLAt(fmt.Sprintf("127.0.0.1:%d", c.Port), user, password, db)
}

// URLAt is URL through another address (a proxy in front of the server).
func (c *Cluster) URLAt(hostport, user, password, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: hostport, Path: "/" + db}
	q := url.Values{"sslmode": {"verify-full"}, "sslrootcert": {c.CAFile}, "connect_timeout": {"5"}}
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs SQL statements as the superuser in database db.
func (c *Cluster) Exec(db string, stmts ...string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.URL("admin", AdminPassword, db))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// PGDump dumps database db (data and schema) as SQL text.
func (c *Cluster) PGDump(db string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, "pg_dump"), "--dbname", c.URL("admin", AdminPassword, db))
	return cmd.Output()
}

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	if c.asUser == nil {
		return exec.Command(name, args...)
	}
	// setpriv execs the server itself, so the PID we hold is the postmaster's.
	// --pdeathsig: a test binary that is killed does not leave the server behind.
	a := append([]string{"--reuid=" + c.asUser.Uid, "--regid=" + c.asUser.Gid, "--clear-groups", "--pdeathsig=INT", "--", name}, args...)
	cmd := exec.Command("setpriv", a...)
	cmd.Dir = c.Dir
	return cmd
}

func (c *Cluster) chown(dir string) error {
	if c.asUser == nil {
		return nil
	}
	uid, _ := strconv.Atoi(c.asUser.Uid)
	gid, _ := strconv.Atoi(c.asUser.Gid)
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// makeCerts makes a CA and a server certificate for 127.0.0.1 and localhost.
func (c *Cluster) makeCerts(data string) error {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kiosk test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	c.CAFile = filepath.Join(c.Dir, "ca.crt")
	if err := os.WriteFile(c.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(data, "server.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(data, "server.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
