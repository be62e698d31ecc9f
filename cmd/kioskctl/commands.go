package main

// The commands of kioskctl, in one table; each one's run function lives in the
// file of its topic (card.go, log.go, fleet.go, ...).
func init() {
	for _, c := range []command{
		{name: "readers", summary: "list smart-card readers and whether each holds a card", run: runReaders},
		{name: "card status", summary: "card type, auth certificate and PIN tries (no PIN needed)", run: runCardStatus},
		{name: "pin status", summary: "tries left of the auth, sign and basic-info PINs", run: runPINStatus},
		{name: "pin verify", summary: "check a PIN (read from standard input)", run: runPINVerify},
		{name: "pin change", summary: "change a PIN (old and new PIN on standard input)", run: runPINChange},
		{name: "pin reset", summary: "reset a locked auth or sign PIN through the issuer (new PIN on standard input)", run: runPINReset},
		{name: "issue", summary: "renew or issue certificates onto a card (PINs on standard input)", run: runIssue},
		{name: "issuer init", summary: "create the training issuer's data directory (CA and issuer key)", run: runIssuerInit},
		{name: "log verify", summary: "check the audit trail's hash chain", run: runLogVerify},
		{name: "log export", summary: "export audit events of a date range as CSV or JSON", run: runLogExport},
		{name: "log purge", summary: "delete records older than the retention period, keeping the chain verifiable", run: runLogPurge},
		{name: "staff add", summary: "add a staff account (password on standard input)", run: runStaffAdd},
		{name: "staff passwd", summary: "set a staff password and clear a lockout (standard input)", run: runStaffPasswd},
		{name: "staff list", summary: "list staff accounts, roles and lockouts", run: runStaffList},
		{name: "staff disable", summary: "stop a staff account from signing in", run: runStaffDisable},
		{name: "staff enable", summary: "re-enable a staff account and clear a lockout", run: runStaffEnable},
		{name: "fleet ship", summary: "send this kiosk's new audit events to the central database", run: runFleetShip},
		{name: "fleet verify", summary: "check every kiosk's chain in the central database", run: runFleetVerify},
		{name: "fleet status", summary: "each kiosk's last event, lag and health", run: runFleetStatus},
		{name: "fleet migrate", summary: "create or upgrade the central schema and roles (database owner)", run: runFleetMigrate},
		{name: "fleet clear", summary: "lift a kiosk's flag after an investigation (database owner)", run: runFleetClear},
		{name: "fleet export", summary: "export every kiosk's audit events of a date range as CSV", run: runFleetExport},
		{name: "policy check", summary: "eligibility, route, new expiry, fee and documents for a service", run: runPolicyCheck},
		{name: "policy hours", summary: "whether the window is open at a time, and when it opens next", run: runPolicyHours},
		{name: "receipt print", summary: "print a sample receipt (installation check of the receipt printer)", run: runReceiptPrint},
		{name: "simulate", summary: "drive random resident sessions headlessly (load and soak test)", run: runSimulate},
		{name: "vcard serve", summary: "serve a virtual JPKI card to pcscd (vpcd)", run: runVcardServe},
		{name: "vcard personas", summary: "list the virtual card personas and their PINs", run: runVcardPersonas},
	} {
		register(c)
	}
}
