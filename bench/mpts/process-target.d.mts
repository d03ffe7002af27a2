export declare function ran(): void;
