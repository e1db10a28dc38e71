"""A faithful simulator of the RingCentral platform parts this app uses: demo account, test server, benchmark load."""
