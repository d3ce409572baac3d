package io.fedgate.core.transport;

import java.util.Locale;
import java.util.concurrent.ThreadFactory;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket implementation under every listener and upstream connection: io_uring by default where the kernel
 * allows it, NIO everywhere else, epoll on request. Native transports save copies and syscalls compared with NIO,
 * and the upstream connection must use the same kind as the downstream one so both share an event loop.
 *
 * <p>Why not epoll by default: with Netty 4.2.18's epoll transport, a relay whose one side half-closes while the
 * other is still sending (64 MiB each way, the client finishing first) lost the rest of the response in about one
 * run in two: the downstream got a FIN after some megabytes while the upstream still had data queued. NIO and
 * io_uring relay the same runs intact. Until that is understood, epoll is opt-in.
 *
 * <p>{@value #PROPERTY} ({@code io_uring}, {@code nio}, {@code epoll}) overrides the choice; a native transport that
 * cannot load here falls back to NIO, and {@link #describe(Transport)} says why.
 */
public enum Transport {
    EPOLL,
    IO_URING,
    NIO;

    /** System property that picks a transport: {@code epoll}, {@code io_uring} or {@code nio}. */
    public static final String PROPERTY = "fedgate.transport";

    /** The transport named by {@value #PROPERTY}, or io_uring, falling back to NIO where the native one cannot load. */
    public static Transport select() {
        return select(System.getProperty(PROPERTY));
    }

    /**
     * The transport named by {@code name} (or io_uring when {@code null} or blank), falling back to NIO where it
     * cannot load.
     *
     * @throws IllegalArgumentException if the name is none of {@code epoll}, {@code io_uring}, {@code nio}
     */
    public static Transport select(String name) {
        Transport wanted = name == null || name.isBlank() ? IO_URING : forName(name);
        return wanted.isAvailable() ? wanted : NIO;
    }

    static Transport forName(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "epoll":
                return EPOLL;
            case "io_uring":
            case "iouring":
                return IO_URING;
            case "nio":
                return NIO;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + name + ": unknown transport (expected: epoll, io_uring, nio)");
        }
    }

    /** Whether this transport's native library loads on this machine. */
    public boolean isAvailable() {
        switch (this) {
            case EPOLL:
                return Epoll.isAvailable();
            case IO_URING:
                return IoUring.isAvailable();
            default:
                return true;
        }
    }

    /** For the start-up log: the transport in use and, when a native one was not, why. */
    public static String describe(Transport selected) {
        if (selected != NIO) {
            return selected.label();
        }
        Throwable ioUring = IoUring.unavailabilityCause();
        return ioUring == null ? "nio" : "nio (io_uring unavailable: " + ioUring.getMessage() + ")";
    }

    /** Lowercase name for logs. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** An event loop group of {@code threads} threads (0 means Netty's default, twice the cores) named {@code name}. */
    public MultiThreadIoEventLoopGroup newEventLoopGroup(int threads, String name) {
        ThreadFactory threadFactory = new DefaultThreadFactory(name, false);
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory());
    }

    private IoHandlerFactory ioHandlerFactory() {
        switch (this) {
            case EPOLL:
                return EpollIoHandler.newFactory();
            case IO_URING:
                return IoUringIoHandler.newFactory();
            default:
                return NioIoHandler.newFactory();
        }
    }

    /** The listening socket channel class of this transport. */
    public Class<? extends ServerSocketChannel> serverChannelClass() {
        switch (this) {
            case EPOLL:
                return EpollServerSocketChannel.class;
            case IO_URING:
                return IoUringServerSocketChannel.class;
            default:
                return NioServerSocketChannel.class;
        }
    }

    /** The connecting socket channel class of this transport. */
    public Class<? extends SocketChannel> socketChannelClass() {
        switch (this) {
            case EPOLL:
                return EpollSocketChannel.class;
            case IO_URING:
                return IoUringSocketChannel.class;
            default:
                return NioSocketChannel.class;
        }
    }

    /** The datagram channel class of this transport, for the non-blocking DNS resolver. */
    public Class<? extends DatagramChannel> datagramChannelClass() {
        switch (this) {
            case EPOLL:
                return EpollDatagramChannel.class;
            case IO_URING:
                return IoUringDatagramChannel.class;
            default:
                return NioDatagramChannel.class;
        }
    }
}
