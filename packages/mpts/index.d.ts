export * from '@mpts/manager';
