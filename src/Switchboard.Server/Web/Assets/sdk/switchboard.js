// Switchboard JavaScript client (placeholder)
