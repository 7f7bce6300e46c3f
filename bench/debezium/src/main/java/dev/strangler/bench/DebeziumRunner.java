package dev.strangler.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;

/**
 * Debezium's PostgreSQL connector in the embedded engine, publishing each change to one Kafka topic
 * with an idempotent acks=all producer. A change is marked processed (so its offset may be flushed
 * and its LSN confirmed to Postgres) only once Kafka has acknowledged it: the same promise our
 * legacy adapter keeps, so the two are compared doing the same work.
 *
 * <p>Arguments are {@code key=value}: {@code topic}, {@code kafka.*} (producer settings, prefix
 * dropped) and anything else as a Debezium engine or connector property, overriding the defaults
 * below. Stdout carries JSON lines for the bench ({@code started}, {@code progress}, {@code stopped},
 * {@code failed}); logs go to stderr. Closing stdin stops the engine, so a bench that dies does not
 * leave a JVM holding a replication slot.
 */
public final class DebeziumRunner {
    private static final AtomicLong ACKED = new AtomicLong();

    public static void main(String[] args) throws Exception {
        Properties engine = new Properties();
        engine.setProperty("name", "bench-debezium");
        engine.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        engine.setProperty("plugin.name", "pgoutput");
        engine.setProperty("topic.prefix", "bench");
        // The bench creates slot and publication before writing the backlog, as it does for our
        // adapter: a publication made by Debezium at start would not see changes made before it.
        engine.setProperty("publication.autocreate.mode", "disabled");
        // Stream the slot from where it was created: no table data snapshot, the backlog comes as
        // changes, as it does to our adapter.
        engine.setProperty("snapshot.mode", "no_data");
        engine.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        engine.setProperty("offset.flush.interval.ms", "1000");
        // Plain JSON of the change (before, after, source, op), not the schema next to every value:
        // what a consumer of Debezium usually reads, and closer in size to our events.
        engine.setProperty("converter.schemas.enable", "false");

        Properties producer = new Properties();
        producer.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        producer.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.setProperty(ProducerConfig.LINGER_MS_CONFIG, "1");
        producer.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        producer.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());

        String topic = null;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value, got " + arg);
            String key = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            if (key.equals("topic")) topic = value;
            else if (key.startsWith("kafka.")) producer.setProperty(key.substring(6), value);
            else engine.setProperty(key, value);
        }
        if (topic == null) throw new IllegalArgumentException("topic=<name> is required");

        KafkaProducer<String, String> kafka = new KafkaProducer<>(producer);
        String target = topic;
        DebeziumEngine<ChangeEvent<String, String>> debezium = DebeziumEngine.create(Json.class)
                .using(engine)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        emit("{\"type\":\"started\"}");
                    }
                })
                .using((success, message, error) -> {
                    if (!success) emit("{\"type\":\"failed\",\"error\":" + quote(message) + "}");
                })
                .notifying((records, committer) -> publish(kafka, target, records, committer))
                .build();

        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(debezium);
        Thread progress = new Thread(DebeziumRunner::reportProgress, "progress");
        progress.setDaemon(true);
        progress.start();

        waitForStdinEnd();
        debezium.close();
        executor.shutdown();
        kafka.close();
        emit("{\"type\":\"stopped\",\"events\":" + ACKED.get() + "}");
        System.exit(0);
    }

    /**
     * Sends the whole batch, then waits for every acknowledgement before marking any record: the
     * sends pipeline in the producer (as our adapter sends a batch in one request), and nothing is
     * confirmed to Postgres that Kafka could still lose.
     */
    private static void publish(
            KafkaProducer<String, String> kafka,
            String topic,
            List<ChangeEvent<String, String>> records,
            DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        for (ChangeEvent<String, String> record : records) {
            // Tombstones (after deletes) carry no change; the bench makes none, but skip them anyway.
            if (record.value() != null) sent.add(kafka.send(new ProducerRecord<>(topic, record.key(), record.value())));
        }
        // Without this the last records of a batch would wait for linger.ms before going out.
        kafka.flush();
        for (Future<RecordMetadata> future : sent) {
            try {
                future.get();
            } catch (ExecutionException e) {
                // Failing the batch stops the engine: what was not acknowledged stays unconfirmed.
                throw new RuntimeException("Kafka refused a change", e.getCause());
            }
        }
        for (ChangeEvent<String, String> record : records) committer.markProcessed(record);
        committer.markBatchFinished();
        ACKED.addAndGet(sent.size());
    }

    /** A line per second while the count moves, so a stuck run shows where it stopped. */
    private static void reportProgress() {
        long last = -1;
        while (true) {
            long now = ACKED.get();
            if (now != last) emit("{\"type\":\"progress\",\"events\":" + now + "}");
            last = now;
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void waitForStdinEnd() throws IOException {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // Anything written is ignored: only the end of input means stop.
        }
    }

    private static synchronized void emit(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static String quote(String text) {
        if (text == null) return "null";
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }
}
