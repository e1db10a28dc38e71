"""Workflows that drive the RingCentral API for the window and the command line (no Qt):
load a user's senders, scan an account, send a message."""
