public enum CTRKitVersion { public static let string = "0.1.0" }
