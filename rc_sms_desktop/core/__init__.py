"""The Qt-free heart: RingCentral data models, eligibility rules and catalogues. No I/O, no Qt."""
