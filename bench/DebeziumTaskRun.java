// Runs Debezium's MySqlConnectorTask straight from a connector .properties file, with no
// Kafka Connect herder around it, and reports whether it streams rows from the database.
// Used by bench/debezium3_probe.py: Debezium 3.6.1 never gets past Kafka Connect's config
// validation, so this is how its behaviour against MariaDB itself is observed.
// Launched as a single-file source program: java -cp '<jars>/*' DebeziumTaskRun.java
//     <connector.properties> <rows expected> <seconds>
// First prints "UNVALIDATED <keys>": the keys the connector's config() defines but its
// validate() returns no value for (Kafka Connect's herder fails on those: see the probe).
// Then "STREAMED <n>" (exit 0), or "FAILED" and the exception's stack trace (exit 1).

import io.debezium.connector.mysql.MySqlConnector;
import io.debezium.connector.mysql.MySqlConnectorTask;
import java.io.FileReader;
import java.io.Reader;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

public class DebeziumTaskRun {

  /** A first start: no stored offsets, no metrics. */
  static final class FreshContext implements SourceTaskContext, OffsetStorageReader {
    private final Map<String, String> configs;

    FreshContext(Map<String, String> configs) {
      this.configs = configs;
    }

    public Map<String, String> configs() {
      return configs;
    }

    public OffsetStorageReader offsetStorageReader() {
      return this;
    }

    public PluginMetrics pluginMetrics() {
      return null;
    }

    public <T> Map<String, Object> offset(Map<String, T> partition) {
      return null;
    }

    public <T> Map<Map<String, T>, Map<String, Object>> offsets(
        Collection<Map<String, T>> partitions) {
      return new HashMap<>();
    }
  }

  /** Keys of the connector's ConfigDef that its validate() leaves without a ConfigValue. */
  static TreeSet<String> unvalidatedKeys(Map<String, String> config) {
    MySqlConnector connector = new MySqlConnector();
    TreeSet<String> keys = new TreeSet<>(connector.config().configKeys().keySet());
    for (ConfigValue value : connector.validate(config).configValues()) {
      keys.remove(value.name());
    }
    return keys;
  }

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    try (Reader in = new FileReader(args[0])) {
      props.load(in);
    }
    Map<String, String> config = new HashMap<>();
    props.stringPropertyNames().forEach(key -> config.put(key, props.getProperty(key)));
    int expected = Integer.parseInt(args[1]);
    long deadline = System.currentTimeMillis() + Long.parseLong(args[2]) * 1000;

    System.out.println("UNVALIDATED " + String.join(",", unvalidatedKeys(config)));

    MySqlConnectorTask task = new MySqlConnectorTask();
    task.initialize(new FreshContext(config));
    int rows = 0;
    try {
      task.start(config);
      while (rows < expected && System.currentTimeMillis() < deadline) {
        List<SourceRecord> batch = task.poll();
        rows += batch == null ? 0 : batch.size();
      }
    } catch (Throwable failure) {
      System.out.println("FAILED");
      failure.printStackTrace(System.out);
      System.exit(1);
    } finally {
      task.stop();
    }
    System.out.println("STREAMED " + rows);
    System.exit(rows >= expected ? 0 : 1);
  }
}
