package dev.usher.lifecycle;

import java.util.List;
import java.util.Optional;

/** The serving usher as the giving side of a hand-over sees it. */
interface HandoverGiver {
  /** One listening socket to give: its name in the offer, its descriptor, where it listens. */
  record GivenSocket(String name, int fd, String endpoint) {}

  /** The sockets to give, admin first; empty when this usher is no longer accepting. */
  Optional<List<GivenSocket>> socketsToGive();

  /**
   * Stops accepting on every given socket without closing it: the kernel's queue stays whole for
   * the taker, which accepts on the same sockets. Returns once no accept of this process can
   * follow.
   */
  void stopAcceptingForHandover() throws InterruptedException;

  /** The taker accepts on the sockets now: drain what this process accepted, and exit. */
  void handedOver(long takerPid);
}
