# syntax=docker/dockerfile:1
#
# usher's container image, built from the repository root:
#
#   docker build -t usher .
#
# Offline (no container registry reachable), on local base images that
# deploy/container/build-local-base.sh makes (deploy/README.md has the details):
#
#   podman build --format docker -t usher \
#     --build-arg BUILD_IMAGE=localhost/usher-build-base:25 \
#     --build-arg RUNTIME_IMAGE=localhost/usher-runtime-base:25 .
#
# (--format docker keeps the HEALTHCHECK, which the OCI image format has no field for.)
#
# Run:  docker run --rm -p 127.0.0.1:8080:8080 -p 127.0.0.1:8081:8081 usher
# Configure with environment variables (SERVER_MAX_CONNECTIONS=20000; every key of
# config/usher-defaults.conf, upper case, '.' and '-' as '_'), or mount a HOCON file at
# /opt/usher/config/usher.conf (read when present), or mount it anywhere and pass
# `--config /path/to/file` as the container's arguments.
#
# TLS on the main listener (the admin port, the HEALTHCHECK's, stays plain): mount the directory
# that holds the certificate chain and its key read-only, and name the two files:
#
#   docker run ... -v "$PWD/tls:/etc/usher/tls:ro" \
#     -e SERVER_TLS_CERTIFICATE=/etc/usher/tls/tls.crt -e SERVER_TLS_PRIVATE_KEY=/etc/usher/tls/tls.key usher
#
# They must be readable by user 10001. usher reads them again every server.tls.reload-interval, so a
# renewed pair needs no restart; mount the directory, not the files: a single-file bind mount keeps
# the old file when it is replaced by a rename, as certificate tools do.

# Both bases are arguments so that a build can point at a mirror or a local image.
ARG BUILD_IMAGE=eclipse-temurin:25-jdk
# A JRE, not a jlink'ed runtime: the jar is a shaded class-path jar, so jlink would need a module
# list worked out with jdeps, and a fork that adds a library needing one more module (java.sql,
# jdk.crypto.ec, jdk.jfr, ...) would find out only at run time; a JRE also keeps jcmd and JFR for
# diagnosing a live container. It costs about 60 MB more than a trimmed runtime, and security fixes
# arrive by bumping one tag.
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# The build only, without tests: tests run in CI, not in an image build.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY server/pom.xml server/
# The reactor lists every module; the benchmarks are not built here (-pl server), only read.
COPY benchmarks/pom.xml benchmarks/
COPY config/ config/
COPY server/src/main/ server/src/main/
COPY deploy/container/ReadinessProbe.java deploy/container/
# The cache mount keeps Maven's repository (and the wrapper's Maven) between builds.
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    ./mvnw -B -q -Dmaven.test.skip=true -pl server -am package \
 && mkdir -p /out/healthcheck \
 && javac --release 25 -d /out/healthcheck deploy/container/ReadinessProbe.java

FROM ${RUNTIME_IMAGE}
ARG RUNTIME_IMAGE
ARG VERSION=0.1.0-SNAPSHOT
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="usher" \
      org.opencontainers.image.description="A production server skeleton on Netty whose accept path is configurable and visible." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"

# A fixed numeric user, so that Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 usher \
 && useradd --system --uid 10001 --gid usher --home-dir /opt/usher --no-create-home \
      --shell /usr/sbin/nologin usher

WORKDIR /opt/usher
COPY --from=build /src/server/target/usher-server.jar /opt/usher/usher-server.jar
COPY --from=build /out/healthcheck/ /opt/usher/healthcheck/
COPY deploy/container/jvm.options /opt/usher/jvm.options

# A training run for the JDK's ahead-of-time cache (JEP 483, 514): usher starts, answers its
# readiness endpoint and a request, and drains; the classes it used are stored, loaded and linked,
# in usher.aot. The container then starts in about half the time (README, "Measured here"). The
# cache fits only this JDK and this jar: a fork that changes either gets a normal start, not a
# broken one, until the image is rebuilt. It adds about 34 MB to the image.
RUN java @/opt/usher/jvm.options -XX:AOTCacheOutput=/opt/usher/usher.aot \
      -jar /opt/usher/usher-server.jar & \
    usher=$!; \
    for attempt in $(seq 1 150); do \
      java -cp /opt/usher/healthcheck ReadinessProbe 2>/dev/null && break; sleep 0.2; \
    done; \
    USHER_HEALTHCHECK_URL=http://127.0.0.1:8080/ java -cp /opt/usher/healthcheck ReadinessProbe \
 && kill -TERM "$usher" && wait "$usher" && test -s /opt/usher/usher.aot

# JSON logs by default; LOG_FORMAT=text for a terminal.
ENV LOG_FORMAT=json

USER 10001:10001
EXPOSE 8080 8081
# usher drains on SIGTERM; give it `docker stop -t` / terminationGracePeriodSeconds longer than
# shutdown.pre-stop-delay + shutdown.drain-timeout (0s + 30s by default), plus any preStop hook
# that runs before the signal (Kubernetes: deploy/kubernetes/deployment.yaml).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-Xss256k", "-XX:-UsePerfData", \
       "-cp", "/opt/usher/healthcheck", "ReadinessProbe"]

# Exec form: java is PID 1 and receives SIGTERM itself (no shell in between to swallow it).
# The manifest already carries Enable-Native-Access for Netty's transports and FFM.
ENTRYPOINT ["java", "@/opt/usher/jvm.options", "-XX:AOTCache=/opt/usher/usher.aot", "-jar", "/opt/usher/usher-server.jar"]
CMD []
