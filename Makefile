# The two commands: `make demo` and `make test`. Each installs what is
# missing (Debian packages), configures, builds and runs.
SHELL := /bin/bash
DEB_PACKAGES := build-essential cmake ninja-build pkg-config \
  libsqlite3-dev libsqlitecpp-dev libcurl4-openssl-dev libcpp-httplib-dev \
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev \
  libssl-dev libgtest-dev libgmock-dev libbenchmark-dev curl \
  clang libclang-rt-14-dev
JOBS ?= 2

.PHONY: deps npm-deps build build-asan build-fuzz demo test test-default test-asan test-fuzz bench clean

deps:
	@./scripts/install-deps.sh $(DEB_PACKAGES)

# The local DynamoDB and SQS servers of the aws backend tests (tests/aws,
# npm ci from its lockfile; Debian's nodejs and npm). Never fails: without
# them those tests skip with the reason.
npm-deps:
	@./scripts/install-npm.sh

build: deps
	@cmake --preset default >/dev/null
	@cmake --build --preset default -j $(JOBS)

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

# clang + libFuzzer; builds fuzz/ and the libraries it tests only.
build-fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

demo: build
	@./scripts/demo.sh

test: test-default test-asan test-fuzz

test-default: build npm-deps
	@ctest --preset default

test-asan: build-asan npm-deps
	@ctest --preset asan

# A short run of each fuzz target (docs/fuzzing.md); fails on any finding.
test-fuzz: build-fuzz
	@ctest --preset fuzz

bench: build npm-deps
	@./build/default/bench/paws_bench

clean:
	rm -rf build var
