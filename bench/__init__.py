"""Benchmarks: accuracy against baselines, matcher latency and scale, pipeline throughput.

Run everything with ``python -m bench`` (``make bench``); ``python -m bench --help`` lists
the options. Nothing here is imported by the bot.
"""
