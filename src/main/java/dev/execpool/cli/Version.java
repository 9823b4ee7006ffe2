package dev.execpool.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The pom's version, from a resource Maven filters at build time (so it also works off the jar). */
public final class Version implements IVersionProvider {
  private static final String RESOURCE = "/execpool-version.properties";

  public static String current() {
    try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"execpool " + current(), "JVM: ${java.version} (${java.vendor})"};
  }
}
