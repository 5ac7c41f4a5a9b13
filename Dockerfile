# The ecssim command in a small container image, for sweeps sharded over a
# cluster scheduler (deploy/README.md: Kubernetes Indexed Jobs, AWS Batch
# array jobs).
#
#   docker build -t ecssim:dev .
#   docker run --rm ecssim:dev ecssim run /scenarios/nasa-day.json
#
# Two stages: the Go toolchain builds a static binary (no cgo), and the
# runtime stage holds only that binary, the example scenarios and a shell.
# The shell is there on purpose: an AWS Batch job definition cannot put the
# child's array index into a command argument (Batch substitutes only
# job-level Ref:: parameters), so the Batch job runs `sh -c` to name each
# shard's output directory after AWS_BATCH_JOB_ARRAY_INDEX. Kubernetes
# expands $(JOB_COMPLETION_INDEX) itself and needs no shell.
#
# Base images are pinned to a release; for a reproducible production image
# pin them by digest as well (image:tag@sha256:...).

FROM golang:1.26.8 AS build
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# -trimpath and no VCS stamp: the same source gives the same binary.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags='-s -w' -o /out/ecssim ./cmd/ecssim

FROM alpine:3.23
COPY --from=build /out/ecssim /usr/local/bin/ecssim
# The example scenarios (the NASA day and its traffic series), so that the
# manifests under deploy/ run as they are; mount your own at /scenarios.
COPY examples/scenario/testdata/ /scenarios/
# Any non-root user will do; 65532 is the usual "nonroot".
USER 65532:65532
# No ENTRYPOINT: AWS Batch's command replaces CMD only, and the Batch job
# runs `sh -c`. Name the program: `docker run IMAGE ecssim sweep ...`.
CMD ["ecssim", "help"]
