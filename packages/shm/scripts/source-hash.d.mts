/** Where the hash of the sources the prebuilt binaries were made from is kept. */
export declare const sourceHashFile: string;
/** SHA-256 over binding.gyp and native/*, each file's name and contents, in name order. */
export declare function addonSourceHash(): string;
