"""Realistic data for `danvan seed`: a national data set of models, exemplars, visits,
petitions and dialogues in the proportions of the source articles, as rpc requests.

Pure: unit weights, dates, names and texts become request bodies (``plans``); the command
(``danvan.seed_command``) sends them through the services' own rpc, so every record is
validated, stored and published exactly as in production.
"""
