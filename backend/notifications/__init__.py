"""The in-app inbox and its outbound channels (WeCom, DingTalk, e-mail, SMS)."""
