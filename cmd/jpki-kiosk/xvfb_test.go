package main

import (
	"bufio"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemoUnderXvfb runs the real program (GLFW window, full screen) in demo
// mode on a virtual X display, inserts the adult persona's card with
// -demo-insert, waits for the status screen, and captures the screen with
// ImageMagick's import. It reports the timings the program prints and the
// resident memory. Skipped without Xvfb unless KIOSK_REQUIRE_INTEGRATION=1.
// KIOSK_XVFB_SHOT=FILE keeps the screenshot.
func TestDemoUnderXvfb(t *testing.T) {
	for _, tool := range []string{"Xvfb", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("KIOSK_REQUIRE_INTEGRATION") == "1" {
				t.Fatalf("%s not installed", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "jpki-kiosk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	// Xvfb picks a free display and writes its number to fd 3.
	r, w, _ := os.Pipe()
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1920x1080x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	defer func() { x.Process.Kill(); x.Wait() }()
	num, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb display: %v", err)
	}
	display := ":" + strings.TrimSpace(num)

	k := exec.Command(bin, "-demo", "-demo-insert", "adult", "-timing", "-data", filepath.Join(dir, "data"))
	k.Env = append(os.Environ(), "DISPLAY="+display, "KIOSK_DEMO_INSERT=")
	stderr, _ := k.StderrPipe()
	if err := k.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { k.Process.Kill(); k.Wait() }()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var timings []string
	deadline := time.After(60 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("kiosk exited; timings %v", timings)
			}
			if !strings.HasPrefix(l, "timing:") {
				t.Log(l)
			} else {
				timings = append(timings, l)
				if strings.Contains(l, "status screen") {
					break wait
				}
			}
		case <-deadline:
			t.Fatalf("no status screen within 60 s; timings %v", timings)
		}
	}
	time.Sleep(500 * time.Millisecond) // let the frame reach the screen
	shot := filepath.Join(dir, "status.png")
	if keep := os.Getenv("KIOSK_XVFB_SHOT"); keep != "" {
		shot = keep
	}
	cmd := exec.Command("import", "-display", display, "-window", "root", shot)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The step header's band (light blue) spans the top of a full-screen window.
	b := img.Bounds()
	if b.Dx() != 1920 || b.Dy() != 1080 {
		t.Fatalf("screenshot %v", b)
	}
	cr, cg, cb, _ := img.At(b.Dx()/2, 20).RGBA()
	if got := fmt.Sprintf("%02X%02X%02X", cr>>8, cg>>8, cb>>8); got != "E8F0FA" {
		t.Errorf("top centre pixel %s, want the header band E8F0FA (window not full screen?)", got)
	}
	if rss, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", k.Process.Pid)); err == nil {
		for _, l := range strings.Split(string(rss), "\n") {
			if strings.HasPrefix(l, "VmRSS:") {
				timings = append(timings, "resident memory at status screen: "+strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:")))
			}
		}
	}
	for _, l := range timings {
		t.Log(l)
	}
}
