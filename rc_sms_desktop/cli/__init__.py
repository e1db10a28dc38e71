"""Command-line commands: explain, check, send, simulator, and the launcher of the window."""
