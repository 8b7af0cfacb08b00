"""Source connectors bundled with pipeway (each in its own subpackage)."""
