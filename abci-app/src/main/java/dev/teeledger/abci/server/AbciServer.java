package dev.teeledger.abci.server;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The ABCI 2.0 socket server in front of an {@link AbciApplication}: CometBFT v0.38 connects to
 * it as {@code proxy_app} ({@code abci = "socket"}), over TCP or a Unix domain socket.
 *
 * <p>CometBFT opens four connections (consensus, mempool, query, snapshot). Each accepted
 * connection gets its own platform thread, named {@code abci-server-<n>-conn-<m>}, which reads
 * requests, calls the application and writes responses strictly in request order; connections
 * run concurrently, so the application is called from several threads at once unless
 * {@link AbciServerConfig#serializeApplicationCalls()} is set. The wire format is a sequence of
 * varint-length-prefixed {@code tendermint.abci.Request}/{@code Response} messages
 * ({@link FrameDecoder}, {@link MessageFramer}).
 *
 * <p>Failure handling: an application exception becomes {@code Response.exception} (CometBFT
 * then stops the node) and is logged; a framing or decoding error closes only that connection;
 * in both cases the server keeps accepting, so a restarted CometBFT can reconnect.
 *
 * <p>Lifecycle: {@link #start()} binds (for a Unix socket, first removing a stale socket file
 * that nobody listens on), {@link #close()} stops accepting, lets each connection finish the
 * request in flight and write its responses, joins all threads within
 * {@link AbciServerConfig#shutdownTimeout()} (then closes the remaining sockets forcibly) and
 * deletes the socket file. The threads are not daemons: a started server keeps the JVM alive
 * until closed. Logging goes through {@link System.Logger}. All public methods are thread-safe.
 */
public final class AbciServer implements AutoCloseable {

  private static final Logger LOG = System.getLogger(AbciServer.class.getName());
  private static final AtomicInteger SERVER_IDS = new AtomicInteger();
  /** Extra wait after forcing sockets closed; a thread still alive then is inside the app. */
  private static final long FORCED_JOIN_MILLIS = 1000;
  /** Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin. */
  private static final long ACCEPT_BACKOFF_MILLIS = 100;

  private final AbciServerConfig config;
  private final ListenAddress listenAddress;
  private final RequestDispatcher dispatcher;
  private final String threadPrefix;

  private final Object lock = new Object();
  private final Map<Integer, Running> connections = new LinkedHashMap<>();
  private ServerSocketChannel serverChannel;
  private Thread acceptThread;
  private SocketAddress boundAddress;
  private boolean started;
  private boolean closed;
  private int nextConnectionId;

  private record Running(AbciConnection connection, Thread thread) {}

  /**
   * Creates a server; nothing is bound until {@link #start()}.
   *
   * @param config validated settings
   * @param application receives every request except Echo and Flush
   */
  public AbciServer(AbciServerConfig config, AbciApplication application) {
    this.config = Objects.requireNonNull(config, "config");
    this.listenAddress = ListenAddress.parse(config.address());
    this.dispatcher = new RequestDispatcher(Objects.requireNonNull(application, "application"),
        config.serializeApplicationCalls() ? Optional.of(new ReentrantLock()) : Optional.empty());
    this.threadPrefix = "abci-server-" + SERVER_IDS.incrementAndGet();
  }

  /**
   * Binds the listen address and starts accepting connections. For {@code unix://}, an existing
   * socket file is removed first if no process accepts on it; any other existing file, or a
   * live socket, makes start fail rather than be clobbered.
   *
   * @throws IOException if binding fails (address in use, permissions, bad host)
   * @throws IllegalStateException if called twice or after {@link #close()}
   */
  public void start() throws IOException {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException(closed ? "server is closed" : "server already started");
      }
      started = true;
      ServerSocketChannel channel = null;
      try {
        if (listenAddress.isUnix()) {
          removeStaleSocket(listenAddress.unixPath().orElseThrow());
          channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
          channel = ServerSocketChannel.open();
          channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        }
        channel.bind(listenAddress.toSocketAddress());
      } catch (IOException | RuntimeException e) {
        closed = true; // a failed server is not restartable; close() has nothing to undo
        if (channel != null) {
          closeQuietly(channel);
        }
        throw e;
      }
      serverChannel = channel;
      boundAddress = channel.getLocalAddress();
      acceptThread = new Thread(this::acceptLoop, threadPrefix + "-accept");
      acceptThread.start();
      LOG.log(Level.INFO, "ABCI server listening on " + ListenAddress.render(boundAddress));
    }
  }

  /**
   * The bound address in CometBFT's {@code proxy_app} syntax, e.g. {@code tcp://127.0.0.1:41234}
   * (the actual port when the config asked for port 0) or {@code unix:///run/app.sock}.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public String boundAddress() {
    return ListenAddress.render(localAddress());
  }

  /**
   * The bound socket address: an {@code InetSocketAddress} or a
   * {@code UnixDomainSocketAddress}.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public SocketAddress localAddress() {
    synchronized (lock) {
      if (boundAddress == null) {
        throw new IllegalStateException("server not started");
      }
      return boundAddress;
    }
  }

  /** Connections currently being served. */
  public int connectionCount() {
    synchronized (lock) {
      return connections.size();
    }
  }

  /** True between a successful {@link #start()} and {@link #close()}. */
  public boolean isRunning() {
    synchronized (lock) {
      return started && !closed;
    }
  }

  private void acceptLoop() {
    while (true) {
      SocketChannel accepted;
      try {
        accepted = serverChannel.accept();
      } catch (ClosedChannelException e) { // includes AsynchronousCloseException
        return; // close() closed the listener
      } catch (IOException e) {
        if (!isRunning()) {
          return;
        }
        LOG.log(Level.WARNING, "ABCI server: accept failed: " + e);
        if (!pause(ACCEPT_BACKOFF_MILLIS)) {
          return;
        }
        continue;
      }
      if (!register(accepted)) {
        return;
      }
    }
  }

  /** Returns false when the server is closing and the accept loop must end. */
  private boolean register(SocketChannel accepted) {
    synchronized (lock) {
      if (closed) {
        closeQuietly(accepted);
        return false;
      }
      if (connections.size() >= config.maxConnections()) {
        LOG.log(Level.WARNING, "ABCI server: refusing a connection, already serving "
            + connections.size() + " (maxConnections)");
        closeQuietly(accepted);
        return true;
      }
      int id = nextConnectionId++;
      try {
        if (accepted.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
          // Responses are already batched until Flush; Nagle would only add latency.
          accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "ABCI server: TCP_NODELAY not set: " + e);
      }
      AbciConnection connection = new AbciConnection(id, accepted, dispatcher,
          config.maxFrameBytes(), this::connectionEnded);
      Thread thread = new Thread(connection, threadPrefix + "-conn-" + id);
      connections.put(id, new Running(connection, thread));
      thread.start();
      LOG.log(Level.INFO, "ABCI server: accepted connection " + id);
      return true;
    }
  }

  private void connectionEnded(AbciConnection connection) {
    synchronized (lock) {
      connections.remove(connection.id());
    }
  }

  /**
   * Stops the server: stops accepting, lets every connection finish the request in flight and
   * flush its responses, then closes it. Waits at most
   * {@link AbciServerConfig#shutdownTimeout()} (plus one second after forcing sockets closed)
   * for the threads; a thread still inside an application call after that is logged and left
   * to finish on its own. Idempotent; safe from any thread.
   */
  @Override
  public void close() {
    List<Running> toStop;
    Thread accept;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (serverChannel == null) {
        return; // never started
      }
      toStop = new ArrayList<>(connections.values());
      accept = acceptThread;
      closeQuietly(serverChannel);
    }
    long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
    for (Running r : toStop) {
      r.connection().stop();
    }
    boolean interrupted = false;
    List<Thread> threads = new ArrayList<>();
    threads.add(accept);
    toStop.forEach(r -> threads.add(r.thread()));
    for (Thread t : threads) {
      interrupted |= joinUntil(t, deadline);
    }
    List<Running> stuck = toStop.stream().filter(r -> r.thread().isAlive()).toList();
    if (!stuck.isEmpty()) {
      LOG.log(Level.WARNING, "ABCI server: " + stuck.size() + " connection(s) still busy after "
          + config.shutdownTimeout() + "; closing their sockets");
      stuck.forEach(r -> r.connection().forceClose());
      long forcedDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FORCED_JOIN_MILLIS);
      for (Running r : stuck) {
        interrupted |= joinUntil(r.thread(), forcedDeadline);
        if (r.thread().isAlive()) {
          LOG.log(Level.WARNING, "ABCI server: thread " + r.thread().getName()
              + " is still inside an application call; leaving it");
        }
      }
    }
    listenAddress.unixPath().ifPresent(AbciServer::deleteSocketFile);
    LOG.log(Level.INFO, "ABCI server on " + ListenAddress.render(boundAddress) + " closed");
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Joins {@code t} until the deadline; returns true if this thread was interrupted. */
  private static boolean joinUntil(Thread t, long deadlineNanos) {
    boolean interrupted = false;
    while (t.isAlive()) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      } catch (InterruptedException e) {
        interrupted = true; // finish shutting down, then restore the flag
        deadlineNanos = Math.min(deadlineNanos, System.nanoTime());
      }
    }
    return interrupted;
  }

  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Removes a socket file left by a previous process that did not close cleanly. Refuses a file
   * that is not a socket (a typo must not delete data) and a socket someone still accepts on.
   */
  private static void removeStaleSocket(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!isSocketFile(path)) {
      throw new BindException("refusing to replace " + path + ": it exists and is not a socket");
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      throw new BindException("address in use: another process accepts on " + path);
    } catch (ConnectException e) {
      Files.deleteIfExists(path);
      LOG.log(Level.INFO, "ABCI server: removed stale socket file " + path);
    }
  }

  private static boolean isSocketFile(Path path) throws IOException {
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return (mode & 0170000) == 0140000; // S_IFMT == S_IFSOCK (POSIX sys/stat.h)
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS).isOther();
    }
  }

  private static void deleteSocketFile(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "ABCI server: could not delete socket file " + path + ": " + e);
    }
  }

  private static void closeQuietly(java.nio.channels.Channel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "ABCI server: close: " + e);
    }
  }
}
