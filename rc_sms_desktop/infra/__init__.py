"""The app's own infrastructure (no Qt): settings, the verdict cache, logs, crash reports,
bundled resources and secret redaction."""
