# The two commands: `make run` and `make test` (plus `make bench`).
# Everything they need beyond the .NET SDK, Node/npm and apt is installed here.
SHELL := /bin/bash
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1
CONFIG ?= Release

.PHONY: all restore build test run bench clean deps-test deps-run deps-bench

all: build

restore:
	dotnet restore DigitalTwin.sln --locked-mode

build: restore
	dotnet build DigitalTwin.sln -c $(CONFIG) --no-restore

deps-test deps-run deps-bench: deps-%:
	build/install-deps.sh $*

test: deps-test build
	build/run-tests.sh

run: deps-run build
	dotnet run --project services/Cli -c $(CONFIG) --no-build -- fleet $(FLEET_ARGS)

bench: deps-bench build
	dotnet run --project tests/DigitalTwin.Benchmarks -c $(CONFIG) --no-build -- all

clean:
	rm -rf artifacts
	find . -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
