"""`make bench`: the platform's speed, each figure beside the machine's limit measured in the
same run (`python -m benchmarks [--quick] [--events N] [--output FILE]`)."""
