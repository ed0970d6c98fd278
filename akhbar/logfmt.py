"""Log lines as `time level logger message key=value ...`, so crawl logs can be grepped by source or URL."""

import logging

# Attributes every LogRecord has; anything else came in through `extra=` and is printed as key=value.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if extras:
            line += " " + " ".join(f"{key}={value!r}" if " " in str(value) else f"{key}={value}"
                                   for key, value in sorted(extras.items()))
        return line
