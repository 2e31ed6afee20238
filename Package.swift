// swift-tools-version:6.0
import PackageDescription

// Module graph (see docs/design.md, "Layers"); each target depends on exactly what it imports:
//   FerryRaft, FerryQueue         pure, deterministic cores: standard library only
//   FerryStorage                  the durable Raft log over a FileSystem seam            (FerryRaft)
//   FerryNode                     one node over the NodeEnvironment seam, any application (Raft, Storage)
//   FerryQueueReplica             the queue machine as what a node replicates              (Node, Queue)
//   FerryStorageTesting           the simulated file system, for tests and the simulator       (Storage)
//   FerryRuntime                  libuv: event loop, timers, TCP, peer handshake, work pool
//   FerrySQS                      HTTP/1.1, the SQS JSON and query protocols, SigV4            (Queue)
//   FerryClient                   the client side of HTTP/1.1: the response parser               (SQS)
//   FerryServer                   the composition root: the production NodeEnvironment on FerryRuntime,
//                                 the peer mesh, the SQS service, admin and metrics endpoints
//   FerryBench                    benchmarks of one component, run by `ferry bench`     (Raft, Storage, Queue)
//   ferryd                        the server                                                  (Server)
//   ferry                         the command-line tool   (SQS, Client, Runtime, Bench, Queue)
//   FerrySim / ferry-sim          the deterministic simulator  (Raft, Storage(Testing), Queue, Node, ...)
let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ferryd", targets: ["ferryd"]),
        .executable(name: "ferry", targets: ["ferry"]),
        .executable(name: "ferry-sim", targets: ["ferry-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibUV",
            path: "Sources/CLibUV",
            pkgConfig: "libuv",
            providers: [.apt(["libuv1-dev"])]
        ),
        .target(name: "FerryRaft"),
        // The CPU's CRC-32C instruction, for the WAL's checksums (FerryStorage keeps a table fallback).
        .target(name: "CFerryCRC32C", path: "Sources/CFerryCRC32C"),
        .target(name: "FerryStorage", dependencies: ["FerryRaft", "CFerryCRC32C"]),
        .target(name: "FerryQueue"),
        .target(
            name: "FerryNode", dependencies: ["FerryRaft", "FerryStorage"],
            // Every node runs `ReplicaNode<QueueReplica>`, but a generic class's code stays unspecialised in its
            // own module: each access to `machine` and each command went through metadata lookups and witness
            // tables, ~5k instructions a request on a leader. With its bodies visible across modules, FerryServer
            // (and the simulator) compile the node specialised for the queue machine. Release builds only.
            swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
        ),
        // The queue machine as what a node replicates: the one place FerryNode meets FerryQueue.
        .target(name: "FerryQueueReplica", dependencies: ["FerryNode", "FerryQueue", "FerryRaft"]),
        // Benchmarks of one component on this machine, for `ferry bench storage` and `ferry bench machine`.
        .target(name: "FerryBench", dependencies: ["FerryRaft", "FerryStorage", "FerryQueue"]),
        // The in-memory disk with a real disk's failure modes, for the tests and the simulator.
        .target(name: "FerryStorageTesting", dependencies: ["FerryStorage"]),
        .target(
            name: "FerryRuntime",
            dependencies: [
                "CLibUV",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FerrySQS",
            dependencies: ["FerryQueue", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The client side of HTTP/1.1 (the response parser), for the ferry tool.
        .target(name: "FerryClient", dependencies: ["FerrySQS"]),
        .target(
            name: "FerryServer",
            dependencies: [
                "FerryRaft", "FerryStorage", "FerryQueue", "FerryNode", "FerryQueueReplica", "FerryRuntime", "FerrySQS",
                .product(name: "Logging", package: "swift-log"),
                // CoreMetrics: swift-prometheus's instruments are its handlers; named so the version is ours.
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "ferryd",
            dependencies: [
                "FerryServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ferry",
            dependencies: [
                "FerrySQS", "FerryClient", "FerryQueue", "FerryBench", "FerryRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .target(
            name: "FerrySim",
            dependencies: [
                "FerryRaft", "FerryStorage", "FerryStorageTesting", "FerryQueue", "FerryNode", "FerryQueueReplica",
            ],
            path: "Simulation/FerrySim",
            // The simulator is single-threaded and its class state is only touched from the run loop;
            // runtime exclusivity checks cost about a tenth of its time (measured with perf).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .executableTarget(
            name: "ferry-sim",
            dependencies: ["FerrySim", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Simulation/ferry-sim"
        ),
        .testTarget(name: "FerryRaftTests", dependencies: ["FerryRaft"]),
        .testTarget(name: "FerryStorageTests", dependencies: ["FerryStorage", "FerryStorageTesting"]),
        .testTarget(name: "FerryQueueTests", dependencies: ["FerryQueue"]),
        .testTarget(name: "FerryBenchTests", dependencies: ["FerryBench"]),
        .testTarget(name: "FerryNodeTests", dependencies: ["FerryNode", "FerryStorageTesting"]),
        .testTarget(name: "FerryQueueReplicaTests", dependencies: ["FerryQueueReplica"]),
        .testTarget(name: "FerryServerTests", dependencies: ["FerryServer"]),
        .testTarget(name: "FerrySQSTests", dependencies: ["FerrySQS"]),
        .testTarget(name: "FerryClientTests", dependencies: ["FerryClient", "FerrySQS"]),
        .testTarget(name: "FerryRuntimeTests", dependencies: ["FerryRuntime"]),
        .testTarget(name: "FerrySimTests", dependencies: ["FerrySim", "FerryStorage", "FerryStorageTesting"]),
    ]
)
