"""What phancong says to people, in Vietnamese (the default) and English: templates per language, outside the
domain, which speaks in facts."""
