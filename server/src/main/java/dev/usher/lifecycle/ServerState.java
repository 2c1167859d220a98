package dev.usher.lifecycle;

/** Where the server is in its life; readiness is true only in {@link #ACCEPTING}. */
public enum ServerState {
  STARTING,
  ACCEPTING,
  DRAINING,
  STOPPED
}
