package dev.usher.app;

/**
 * The user event every open connection receives when the server starts draining: finish what is in
 * flight, then close. See {@link UsherApplication}.
 */
public final class DrainRequested {
  public static final DrainRequested INSTANCE = new DrainRequested();

  private DrainRequested() {}

  @Override
  public String toString() {
    return "DrainRequested";
  }
}
