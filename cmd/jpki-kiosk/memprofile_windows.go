package main

// watchMemSignal: Windows has no SIGUSR1; the profile is written at exit.
func watchMemSignal() {}
