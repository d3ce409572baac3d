package io.fedgate.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in gateway process for {@link GatewayProcess}'s tests, using only the JDK. Arguments, acted on in order:
 * <ul>
 *   <li>{@code --print TEXT}: logs a line;</li>
 *   <li>{@code --listen NAME}: binds 127.0.0.1 on an ephemeral port, accepts (and closes) connections, and logs
 *       {@code listening: NAME 127.0.0.1:PORT ...} as the gateways do;</li>
 *   <li>{@code --child}: starts {@code sleep 60} as a child process and logs {@code child: PID};</li>
 *   <li>{@code --hang-on-term}: a shutdown hook that hangs for 60 s, so only SIGKILL ends the process;</li>
 *   <li>{@code --exit CODE}: exits with CODE right there.</li>
 * </ul>
 * Otherwise it runs for at most 60 s. A shutdown hook logs {@code shutdown hook ran} (the JVM runs hooks on SIGTERM,
 * SIGHUP and SIGINT).
 */
public final class FakeGateway {
    private static final long LIFETIME_MILLIS = 60_000;

    private FakeGateway() {
    }

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> log("shutdown hook ran")));
        List<ServerSocket> listeners = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--print":
                    log(args[++i]);
                    break;
                case "--listen":
                    listeners.add(listen(args[++i]));
                    break;
                case "--child":
                    Process child = new ProcessBuilder("sleep", "60").redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    log("child: " + child.pid());
                    break;
                case "--hang-on-term":
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        log("hanging in a shutdown hook");
                        sleep(LIFETIME_MILLIS);
                    }));
                    break;
                case "--exit":
                    System.exit(Integer.parseInt(args[++i]));
                    break;
                default:
                    log("unknown argument " + args[i]);
                    System.exit(2);
            }
        }
        sleep(LIFETIME_MILLIS);
        for (ServerSocket listener : listeners) {
            listener.close();
        }
    }

    private static ServerSocket listen(String name) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket accepted = socket.accept()) {
                    accepted.getOutputStream().write(("hello from " + name + "\n").getBytes());
                } catch (IOException e) {
                    return;
                }
            }
        }, "accept-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
        log("listening: " + name + " 127.0.0.1:" + socket.getLocalPort() + " peers=[green-mesh] tls=none");
        return socket;
    }

    private static synchronized void log(String message) {
        System.out.println(Instant.now() + " INFO  [FakeGateway] " + message);
        System.out.flush();
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
