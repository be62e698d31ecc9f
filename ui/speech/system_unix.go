//go:build !windows

package speech

// System returns the engine for this machine: espeak-ng, played with aplay
// on opts.Device (headphone-only mode plays nowhere else).
func System(opts Options) (*Engine, error) {
	return New(Espeak{}, Aplay{Device: opts.Device}, opts)
}
