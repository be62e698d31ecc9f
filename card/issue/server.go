package issue

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// NewGatewayHandler serves a Backend with the gateway protocol of
// docs/GATEWAY.md. It is the reference server: the tests run it over TLS
// with the training CA behind it, and a municipality can check its own
// gateway against the same tests. It refuses requests that did not come
// with a verified TLS client certificate; the TLS configuration
// (tls.RequireAndVerifyClientCert) is the server's.
func NewGatewayHandler(b Backend) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/issuances", func(w http.ResponseWriter, r *http.Request) {
		var req OpenRequest
		if !decode(w, r, &req) {
			return
		}
		s, err := b.Open(r.Context(), &req)
		req.Holder.Wipe()
		reply(w, s, err)
	})
	mux.HandleFunc("POST /v1/issuances/{session}/steps", func(w http.ResponseWriter, r *http.Request) {
		var req StepRequest
		if !decode(w, r, &req) {
			return
		}
		if req.Session != r.PathValue("session") {
			fail(w, http.StatusBadRequest, &BackendError{"BAD_REQUEST", "session in path and body differ"})
			return
		}
		s, err := b.Step(r.Context(), &req)
		reply(w, s, err)
	})
	mux.HandleFunc("POST /v1/issuances/{session}/abort", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Reason string `json:"reason"`
		}
		if !decode(w, r, &req) {
			return
		}
		if err := b.Abort(r.Context(), r.PathValue("session"), req.Reason); err != nil {
			reply(w, nil, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			fail(w, http.StatusUnauthorized, &BackendError{"CLIENT_CERT_REQUIRED", "mutual TLS with a kiosk certificate is required"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// decode reads a JSON request body of at most maxGatewayBody bytes.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxGatewayBody+1))
	if err != nil || len(b) > maxGatewayBody {
		fail(w, http.StatusBadRequest, &BackendError{"BAD_REQUEST", "unreadable body"})
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		fail(w, http.StatusBadRequest, &BackendError{"BAD_REQUEST", "bad JSON: " + err.Error()})
		return false
	}
	return true
}

// reply writes a script, or the error as the protocol's error object.
func reply(w http.ResponseWriter, s *Script, err error) {
	if err != nil {
		var be *BackendError
		if !errors.As(err, &be) {
			fail(w, http.StatusInternalServerError, &BackendError{"INTERNAL", "issuance failed"})
			return
		}
		code := http.StatusUnprocessableEntity
		switch be.Code {
		case "NO_SESSION":
			code = http.StatusNotFound
		case "WRONG_STEP", "DUPLICATE_REQUEST":
			code = http.StatusConflict
		case "BAD_REQUEST", "UNSUPPORTED_VERSION":
			code = http.StatusBadRequest
		}
		fail(w, code, be)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s)
}

func fail(w http.ResponseWriter, code int, be *BackendError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(be)
}
