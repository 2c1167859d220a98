package dev.usher.overload;

/**
 * A request's place among those being served, held from its admission to its end and given back
 * once: answered, or abandoned (its connection gone first).
 */
@FunctionalInterface
public interface Permit {
  /** The place of a request where no concurrency limit applies. */
  Permit UNLIMITED = answered -> {};

  /**
   * @param answered false when the request was abandoned: an adaptive limit learns nothing from it
   */
  void release(boolean answered);
}
