// ES module syntax in a .cjs file: Node loads it as CommonJS and cannot parse it.
export default {};
