package dev.execpool.mcp;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code execpool.mcp} block of {@code application.conf}: defaults of the MCP tools when a call
 * names none. The bounds come from the pool's own settings ({@code max-timeout}, {@code max-await}).
 */
record McpSettings(Duration defaultYield, Duration defaultWait) {
  static final String CONFIG_PATH = "execpool.mcp";

  McpSettings {
    if (defaultYield.isNegative()) {
      throw new IllegalArgumentException("execpool.mcp.default-yield must not be negative, got " + defaultYield);
    }
    if (defaultWait.isNegative() || defaultWait.isZero()) {
      throw new IllegalArgumentException("execpool.mcp.default-wait must be positive, got " + defaultWait);
    }
  }

  static McpSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    return new McpSettings(c.getDuration("default-yield"), c.getDuration("default-wait"));
  }
}
