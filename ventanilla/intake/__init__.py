"""Channel edges (SMTP, IMAP, Telegram) and the parsing of what they receive."""
