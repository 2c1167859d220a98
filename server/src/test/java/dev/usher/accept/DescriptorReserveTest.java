package dev.usher.accept;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.BindException;
import org.junit.jupiter.api.Test;

/**
 * The descriptor reserve's rules, on a simulated descriptor table: held from the start, released
 * whole, re-armed all at once and only with a descriptor to spare.
 */
class DescriptorReserveTest {
  private static final int LIMIT = 20;
  private static final int RESERVE = 4;

  private final SimulatedDescriptors descriptors = new SimulatedDescriptors(LIMIT);

  @Test
  void holdsItsDescriptorsUntilReleasedAndReleasesThemOnce() throws IOException {
    DescriptorReserve reserve = descriptors.reserve(RESERVE);
    assertEquals(RESERVE, descriptors.open());
    assertTrue(reserve.isArmed());

    assertTrue(reserve.release());
    assertEquals(0, descriptors.open());
    assertFalse(reserve.isArmed());
    assertFalse(reserve.release(), "a released reserve has nothing more to release");
  }

  @Test
  void rearmsOnlyWhenTheWholeReserveAndOneDescriptorMoreAreFree() throws IOException {
    DescriptorReserve reserve = descriptors.reserve(RESERVE);
    reserve.release();
    descriptors.take(LIMIT - RESERVE);

    assertFalse(reserve.rearmIfFree(), "re-armed with no descriptor to spare");
    assertEquals(LIMIT - RESERVE, descriptors.open(), "a failed re-arm kept descriptors");
    assertFalse(reserve.isArmed());

    descriptors.give(1);
    assertTrue(reserve.rearmIfFree());
    assertTrue(reserve.isArmed());
    assertEquals(1, descriptors.free(), "the spare descriptor was not given back");
  }

  @Test
  void anArmedReserveSaysWhetherADescriptorIsFreeBeyondIt() throws IOException {
    DescriptorReserve reserve = descriptors.reserve(RESERVE);
    descriptors.takeAll();
    assertFalse(reserve.hasDescriptorToSpare());
    assertTrue(reserve.isArmed(), "a failed check released the reserve");

    descriptors.give(1);
    assertTrue(reserve.hasDescriptorToSpare());
    assertEquals(1, descriptors.free(), "the check kept the spare descriptor");
  }

  @Test
  void aReleasedReserveHasNoDescriptorToSpareAndTakesNoneToSaySo() throws IOException {
    DescriptorReserve reserve = descriptors.reserve(RESERVE);
    reserve.release();

    assertFalse(reserve.hasDescriptorToSpare());
    assertFalse(reserve.isArmed(), "the check re-armed the reserve");
    assertEquals(0, descriptors.open());
  }

  @Test
  void aReserveThatCannotBeHeldWholeAtStartHoldsNothing() {
    SimulatedDescriptors scarce = new SimulatedDescriptors(RESERVE - 1);
    assertThrows(IOException.class, () -> scarce.reserve(RESERVE));
    assertEquals(0, scarce.open());
  }

  @Test
  void aClosedReserveIsNeverRearmed() throws IOException {
    DescriptorReserve reserve = descriptors.reserve(RESERVE);
    reserve.close();
    assertEquals(0, descriptors.open());
    assertFalse(reserve.rearmIfFree());
    assertEquals(0, descriptors.open());
  }

  @Test
  void holdsRealDescriptorsOnDevNull() throws IOException {
    try (DescriptorReserve reserve = DescriptorReserve.open(RESERVE)) {
      assertTrue(reserve.isArmed());
      assertTrue(reserve.release());
      assertTrue(reserve.rearmIfFree());
    }
  }

  @Test
  void recognizesAnAcceptThatRanOutOfDescriptorsOnEveryTransport() {
    assertTrue(DescriptorReserve.isOutOfDescriptors(new IOException("Too many open files")));
    assertTrue(
        DescriptorReserve.isOutOfDescriptors(new IOException("Too many open files in system")));
    assertFalse(DescriptorReserve.isOutOfDescriptors(new IOException("Connection reset by peer")));
    assertFalse(DescriptorReserve.isOutOfDescriptors(new BindException("Address already in use")));
    assertFalse(DescriptorReserve.isOutOfDescriptors(new IllegalStateException()));

    assumeTrue(Epoll.isAvailable(), "the native errno needs Netty's native transport");
    assertTrue(DescriptorReserve.isOutOfDescriptors(Errors.newIOException("accept", -24)));
    assertTrue(DescriptorReserve.isOutOfDescriptors(Errors.newIOException("accept", -23)));
    assertFalse(DescriptorReserve.isOutOfDescriptors(Errors.newIOException("accept", -105)));
  }
}
