namespace Dl.Cpu;

/// <summary>Compile-time small integers: the JIT specialises a method per struct argument, dropping dead accumulators.</summary>
internal interface IConst { static abstract int Value { get; } }
internal struct C1 : IConst { public static int Value => 1; }
internal struct C2 : IConst { public static int Value => 2; }
internal struct C3 : IConst { public static int Value => 3; }
internal struct C4 : IConst { public static int Value => 4; }
internal struct C5 : IConst { public static int Value => 5; }
internal struct C6 : IConst { public static int Value => 6; }
internal struct C7 : IConst { public static int Value => 7; }
internal struct C8 : IConst { public static int Value => 8; }
internal struct C9 : IConst { public static int Value => 9; }
internal struct C10 : IConst { public static int Value => 10; }
internal struct C11 : IConst { public static int Value => 11; }
internal struct C12 : IConst { public static int Value => 12; }
