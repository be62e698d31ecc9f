//go:build !windows

package main

import (
	"os"
	"os/signal"
	"syscall"
)

// watchMemSignal dumps memory figures and the heap profile on SIGUSR1
// while -memprofile is set.
func watchMemSignal() {
	if memProfile == "" {
		return
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	go func() {
		for range ch {
			dumpMemory("SIGUSR1")
		}
	}()
}
